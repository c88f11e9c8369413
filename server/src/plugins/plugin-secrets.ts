// Plugin secrets share the server's sealing of secrets at rest (packages/db/src/secret-box.ts).
export { SecretBox } from '@docket/db';
