export function buildAll(): Promise<void>;
/** The built-in runtime descriptors (src/parent/common/runtime-descriptors.ts), compiled on the fly. */
export function runtimeDescriptors(): Promise<Array<{ name: string; typings: string }>>;
