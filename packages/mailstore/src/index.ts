export { StoreError, type StoreErrorCode } from './errors.js';
export {
  maildirName,
  parseInfo,
  formatInfo,
  normalizeFlags,
  parseSizeFields,
  withSizeFields,
  compareDeliveryOrder,
  type MaildirNameParts,
  type MaildirInfo,
  type SizeFields,
} from './name.js';
export { LfNormalizer, CrlfExpander, expandToCrlf } from './line-ends.js';
export { type LockHandle, type LockWaitOptions } from './lockfile.js';
export { pop3Uidl, UIDLIST_NAME, type UidlistState } from './uidlist.js';
export {
  MaildirFolder,
  type MaildirFolderOptions,
  type MaildirMessage,
  type MaildirSnapshot,
  type MessageBytes,
} from './folder.js';
export { GroupCommit, GroupDirectorySync, type FlushBatch } from './group-commit.js';
export { MaildirStore, folderDirName, MAILDIRFOLDER_MARKER } from './store.js';
/** Promise wrappers over node:fs callback calls on descriptors and paths (the hot paths of a delivery or a queue file; close is synchronous). */
export { openFd, closeFd, writeAllFd, syncFd, statFd, readFd, renamePath, unlinkPath, truncateFd } from './fs-calls.js';
/** Writes to a descriptor gathered into steps of up to 64 KiB (a typical message is one write). */
export { WriteGather } from './write-gather.js';
/** fsync a directory (makes the names created, renamed or removed in it durable). */
export { fsyncDirectory } from './fsync.js';
