// Public surface of the signing module (SG-SIGNATURE-V1, specs/signing/README.md).
export * from './scheme.js'
export * from './canonical.js'
export * from './sign.js'
export * from './nonce-store.js'
export * from './verify.js'
