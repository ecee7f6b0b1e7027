/** The notifier, made once per process on first use: SNS when the stack gave a topic, else the log. */
import { sns } from '../aws/sns';
import { LogNotifier, SnsNotifier } from '../notifier';
import { once } from './once';

/** SNS with `NOTIFICATION_TOPIC_ARN` (deployed), WARN log lines without it (local mode). */
export const notifier = once(() => {
  const topicArn = process.env.NOTIFICATION_TOPIC_ARN;
  return topicArn ? new SnsNotifier(sns, topicArn) : new LogNotifier();
});
