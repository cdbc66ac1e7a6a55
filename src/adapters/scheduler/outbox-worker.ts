import type { Logger } from '../log';

/** Runs `tick` every `intervalMs`, never two at once; stop() waits for a running tick. */
export function startWorker(name: string, intervalMs: number, tick: () => Promise<unknown>, log: Logger): { stop(): Promise<void>; runNow(): Promise<void> } {
  let running: Promise<void> | undefined;
  let stopped = false;
  const run = (): Promise<void> => {
    if (running) return running;
    running = tick()
      .then(() => undefined)
      .catch((e: unknown) => log.error({ event: `${name}.error`, err: { name: (e as Error).name, message: String((e as Error).message).slice(0, 300) } }, `${name} failed`))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void run();
  }, intervalMs);
  timer.unref();
  return {
    runNow: run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
