/**
 * The weakest key each CA or certificate may have: bits per family (a family absent here is not allowed).
 * @internal
 */
export const MIN_KEY_BITS = {
  root: { ECDSA: 384, RSA: 4096 },
  intermediate: { ECDSA: 256, RSA: 2048 },
  leaf: { ECDSA: 256, RSA: 2048, Ed25519: 0 },
} as const;
