import type { Io } from '../io.js';
export async function verifyCommand(_opts: unknown, _io: Io): Promise<number> {
  return 2;
}
