/**
 * Imported first by the CLI entry points: the AWS SDK warns once per process that releases
 * from 2027 need Node 22. We pin SDK versions that support Node 20 (see README), so the
 * warning is noise here. Deployed Lambdas get the same variable from the stack.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
