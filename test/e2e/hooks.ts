/**
 * Root hooks for the browser tests: every spec file shares the one stack that the first
 * `startStack()` brings up, and it is stopped once, after the last file.
 */
import { stopStack } from "./stack.ts";

export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopStack();
  },
};
