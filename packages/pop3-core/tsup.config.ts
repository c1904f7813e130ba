import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.library.js';

export default defineConfig(libraryBuild);
