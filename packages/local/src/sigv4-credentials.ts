/**
 * The local stack's one key pair. Functions get it as `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, and with
 * `iam` on, a SigV4 signature is valid only if made with it. Public by design: it guards nothing but the
 * habit of signing, so that a client or back end that forgets to sign fails locally as it would in AWS.
 */
export const LOCAL_IAM_CREDENTIALS = {
  accessKeyId: 'AKIASWITCHBOARDLOCAL',
  secretAccessKey: 'switchboard+local+sigv4+secret+key+00000',
} as const;
