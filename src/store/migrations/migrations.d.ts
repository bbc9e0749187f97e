/** Types for the `migrations.js` that drizzle-kit (durable-sqlite driver) writes beside this file. */
declare const bundle: {
  journal: { entries: Array<{ idx: number; tag: string; when: number }> };
  migrations: Record<string, string>;
};
export default bundle;
