/** Public face of @tiktok-share/contracts: event catalogue, envelope, REST DTOs, RPC schemas. */
export * from './common.ts';
export * from './envelope.ts';
export * from './account-events.ts';
export * from './quota-events.ts';
export * from './share-events.ts';
export * from './catalogue.ts';
export * from './rest.ts';
export * as rpc from './rpc.ts';
export type { RpcDef, RpcInput, RpcOutput } from './rpc.ts';
