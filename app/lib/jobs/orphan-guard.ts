/**
 * A sandboxed child (BullMQ's forked processor) learns that its worker died from the IPC
 * channel's `disconnect` event, but events only run when the event loop is free, and a training
 * epoch holds the loop for seconds to minutes. `process.ppid` is read from the kernel on each
 * access, so a synchronous check between epochs sees the re-parenting at once: the child then
 * exits instead of training on, holding the shop's lock and a core with nobody to report to.
 */
export function createOrphanCheck(
  parentPid: number = process.ppid,
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  return () => {
    if (process.ppid !== parentPid) exit(1);
  };
}
