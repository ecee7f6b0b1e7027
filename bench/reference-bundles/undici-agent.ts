/** Cold-start reference (bench/cold-start.ts): the npm undici package alone, with one Agent (the sender's HTTP client). */
import { Agent } from 'undici';

export const agent = new Agent({ connections: null });
