import type { Io } from '../io.js';
export async function bootstrapCommand(_opts: unknown, _io: Io): Promise<number> {
  return 2;
}
