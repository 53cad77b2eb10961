import { NAMESPACE } from './namespace';

/**
 * The key-value bucket (stream `KV_<bucket>`) holding each customer's and each conversation's
 * content data key, sealed under `PARLEY_CONTENT_KEY`; destroying one makes every stream copy of
 * what was sealed under it unreadable (libs/jetstream `ContentKeys`, ADR 13).
 */
export const CONTENT_KEYS_BUCKET = `${NAMESPACE}-content-keys`;
