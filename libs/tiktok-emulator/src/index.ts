export { createEmulator, type Emulator } from './emulator.ts';
export { startEmulator, type RunningEmulator } from './server.ts';
export { DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET, type EmulatorOptions } from './options.ts';
export { TEST_CREATORS } from './creators.ts';
export { checkChunkPlan } from './chunk-rules.ts';
export { connectCreator, callApi, TEST_REDIRECT_URI, type TokenJson } from './testing.ts';
export type { EmulatorState, Violation, Publish, PrivacyLevel } from './state.ts';
