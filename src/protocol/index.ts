/** NUT error codes and the typed error that reaches the wire as `ERR <code>`. */
export { NUT_ERR_CODES, NUT_ERR_MESSAGES, NutError, isNutErrCode, type NutErrCode } from "./errors.ts"
/** Value escaping and request formatting. */
export { encodeValue, formatArg, formatRequest, quote } from "./encode.ts"
/** parseconf-compatible tokenizer for requests, the driver socket and config files. */
export { MAX_WORDS, MAX_WORD_LEN, Tokenizer, tokenizeConfig, type ConfigLine, type ConfigLineError, type FeedResult } from "./tokenizer.ts"
/** nutctl's push extension on the NUT connection (not NUT): request, reply and pushed lines. */
export { PUSH_PREFIX, PUSH_REPLY, PUSH_VERSION, formatPushLine, parsePushLine, pushRequest, type PushUpdate } from "./push.ts"
