// The tag is part of the wire contract (docs/protocol.md, "Telling users apart"): every client shows the
// same one, so it is defined once, in the wire module the client package shares.
export { userTag } from '../../packages/client/src/wire/rules';
