/**
 * Reading and writing the users file on disk for the commands that edit it (`mailstack user
 * add|delete`, the first-start postmaster). Writes go through a temporary file and a rename, so
 * a running server never reads half a file; the file keeps its mode, or gets 0600 when new
 * (it holds password hashes).
 */
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { ConfigError } from '../config/errors.js';
import { UsersFile } from './users-file.js';

const NEW_FILE_MODE = 0o600;

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

/** Read and parse the users file; a missing file is an empty one. */
export async function loadUsersFile(file: string): Promise<UsersFile> {
  try {
    return UsersFile.parse(await readFile(file, 'utf8'), file);
  } catch (error) {
    if (isNotFound(error)) return UsersFile.parse('', file);
    if (error instanceof ConfigError) throw error;
    throw new ConfigError('io', `cannot read users file: ${(error as Error).message}`, { file }, { cause: error });
  }
}

/** Write the users file atomically (temporary file + rename). */
export async function saveUsersFile(users: UsersFile): Promise<void> {
  const { file } = users;
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    const mode = await stat(file).then(
      (info) => info.mode & 0o777,
      (error: unknown) => {
        if (isNotFound(error)) return NEW_FILE_MODE;
        throw error;
      },
    );
    await writeFile(temporary, users.serialize(), { mode });
    await rename(temporary, file);
  } catch (error) {
    throw new ConfigError('io', `cannot write users file: ${(error as Error).message}`, { file }, { cause: error });
  }
}
