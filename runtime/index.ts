/**
 * relay's runtime as a library: the pieces relay-run is made of, for embedding and tests.
 * @module
 */
export { Catalog, type CompiledOperation, type Target } from './catalog.js';
export { DEFAULTS, loadConfigFile, resolveConfig, type RelayConfig, type ApiConfig, type PresetConfig, type Credential } from './config.js';
export { createDispatcher } from './dispatch.js';
export { ERRORS, RelayError, type ErrorCode } from './errors.js';
export { defaultModules, loadModule, loadModules } from './loader.js';
export { LineSplitter, exceedsDepth, parseLine, parseRequest, type LineMessage, type RequestId, type RequestMessage } from './protocol.js';
export { Relay, type RelayOptions } from './relay.js';
export { Upstream, type Outcome, type ExecuteOptions } from './upstream/upstream.js';
export { loadTls } from './upstream/tls.js';
export { RelayServer, parseTcpAddress, type ServerOptions } from './server.js';
export { Connection, type ConnectionOptions } from './connection.js';
export { tokenMatches } from './client-auth.js';
export { loadSetup, type Setup, type SetupInput } from './setup.js';
export * from './table.js';
export { version } from './version.js';
export { createClient, RelayClient, RelayCallError, RelayClientError, type AnyRequests, type CallArgs, type CallOptions, type ClientErrorCode, type ClientOptions, type ClientTarget, type OperationTypes, type RequestMap } from './client.js';
