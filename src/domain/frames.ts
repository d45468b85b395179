// The wire contract's frames are defined once, in the client package's wire module, so the server and
// @switchboard/client cannot drift apart. Type-only: nothing of the package is bundled into a function.
export type {
  AckFrame,
  ChatFrame,
  ChatUser,
  DirectFrame,
  ErrorCode,
  ErrorFrame,
  FeedEndFrame,
  FeedFrame,
  FeedStoppedFrame,
  HistoryFrame,
  PongFrame,
  PresenceFrame,
  PresentUser,
  ServerFrame,
  SessionFrame,
  SkippedFrame,
  SubscribedFrame,
  TopicMessageFrame,
  UnsubscribedFrame,
  WhoFrame,
} from '../../packages/client/src/wire/frames';
