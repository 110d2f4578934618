export * from './port.ts';
export { createNatsBus, type NatsBus, type NatsBusOptions } from './nats-bus.ts';
export { createInProcessBus, type InProcessBusOptions } from './in-process-bus.ts';
export { serveRpc, callRpc, type RpcReply, type RpcErrorBody, type RpcContext, type ServeRpcOptions, type CallRpcOptions } from './rpc.ts';
export { encodeJson, decodeJson } from './codec.ts';
export { subjectMatches } from './subjects.ts';
export type { BusLogger } from './logger.ts';
export * from './defaults.ts';
