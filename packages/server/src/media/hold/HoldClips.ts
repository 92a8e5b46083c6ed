import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type OggOpusStream, readOggOpus } from './OggOpusReader.js';

/** The hold music shipped with the server (`packages/server/assets/hold.opus`). */
export const DEFAULT_HOLD_AUDIO_FILE = fileURLToPath(new URL('../../../assets/hold.opus', import.meta.url));

/**
 * Parsed hold clips by file, read once: every waiting user of a queue shares the packets
 * (they are immutable buffers; each player keeps its own sequence and timestamp).
 */
export class HoldClips {
  readonly #baseDir: string;
  readonly #cache = new Map<string, OggOpusStream>();

  /** @param baseDir where relative `holdAudio` paths are resolved (the data directory). */
  constructor(baseDir: string = process.cwd()) {
    this.#baseDir = baseDir;
  }

  /** The file a queue's `holdAudio` names: `default` is the shipped clip. */
  resolve(spec: string): string {
    return spec === 'default' ? DEFAULT_HOLD_AUDIO_FILE : path.resolve(this.#baseDir, spec);
  }

  /**
   * The parsed clip.
   * @throws OggOpusError when the file is not Ogg/Opus; a Node error when it cannot be read.
   */
  load(spec: string): OggOpusStream {
    const file = this.resolve(spec);
    let clip = this.#cache.get(file);
    if (!clip) {
      clip = readOggOpus(readFileSync(file));
      this.#cache.set(file, clip);
    }
    return clip;
  }
}
