// Runs the real `switchboard-test` and `switchboard token` CLIs (optionally inside a network
// namespace through a command prefix such as `ip netns exec <ns>`), and checks JUnit XML.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT, CLI as SERVER_CLI } from './serverProcess.js';

export const TESTER_CLI = path.join(ROOT, 'packages/tester/dist/cli/main.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  wallMs: number;
}

/** Runs `node <script> ...args` (after `prefix`), killed after `timeoutMs`. */
export function runNode(
  script: string,
  args: string[],
  options: { prefix?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliRun> {
  const argv = [...(options.prefix ?? []), process.execPath, script, ...args];
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr, wallMs: performance.now() - started });
    });
  });
}

/** `switchboard token --tester`: a token whose only grant is `tester`. */
export async function mintTesterToken(
  dataDir: string,
  configFile: string,
  identity: string,
  options: { prefix?: string[]; extraFlags?: string[] } = {},
): Promise<string> {
  const r = await runNode(
    SERVER_CLI,
    [
      'token',
      '--identity',
      identity,
      ...(options.extraFlags ?? ['--tester']),
      '--data-dir',
      dataDir,
      '-c',
      configFile,
    ],
    options.prefix ? { prefix: options.prefix } : {},
  );
  if (r.code !== 0) throw new Error(`switchboard token failed (${r.code}): ${r.stderr}`);
  return r.stdout.trim();
}

/** An element of a parsed XML document. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*$/;

function decodeEntities(s: string, where: string): string {
  return s.replace(/&([^;]*);/g, (_m, e: string) => {
    const map: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (e in map) return map[e]!;
    if (/^#\d+$/.test(e)) return String.fromCodePoint(Number(e.slice(1)));
    if (/^#x[0-9A-Fa-f]+$/.test(e)) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    throw new Error(`unknown entity &${e}; in ${where}`);
  });
}

/**
 * A strict little XML 1.0 parser (elements, attributes, text, entities, the XML declaration;
 * no DTDs, comments or CDATA, which JUnit reports do not need). Throws on anything not
 * well-formed: unbalanced or crossed tags, unquoted or duplicate attributes, a bare `&` or
 * `<`, control characters, text outside the root.
 */
export function parseXml(xml: string): XmlElement {
  for (const ch of xml) {
    const code = ch.charCodeAt(0);
    // XML 1.0 allows only tab, LF and CR below 0x20.
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d)
      throw new Error(`control character U+${code.toString(16).padStart(4, '0')} in XML`);
  }
  let i = 0;
  const decl = /^<\?xml[^?]*\?>/.exec(xml);
  if (decl) i = decl[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  // Bounded: every iteration consumes at least one character.
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (text.includes('>')) throw new Error(`bare ">" in text at ${i}`);
    if (/&(?![a-zA-Z]+;|#\d+;|#x[0-9A-Fa-f]+;)/.test(text)) throw new Error(`bare "&" at ${i}`);
    if (stack.length) stack.at(-1)!.text += decodeEntities(text, 'text');
    else if (text.trim()) throw new Error(`text outside the root element at ${i}`);
    if (lt === -1) break;
    const gt = xml.indexOf('>', lt);
    if (gt === -1) throw new Error(`unterminated tag at ${lt}`);
    const tag = xml.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> closes <${open?.name ?? 'nothing'}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const m = /^([^\s]+)([\s\S]*)$/.exec(body);
    if (!m || !NAME.test(m[1]!)) throw new Error(`bad tag <${tag}>`);
    const element: XmlElement = { name: m[1]!, attributes: {}, children: [], text: '' };
    let rest = m[2]!;
    // Bounded: each match consumes the attribute it read.
    for (;;) {
      rest = rest.replace(/^\s+/, '');
      if (!rest) break;
      const a = /^([A-Za-z_][\w.:-]*)="([^"<]*)"/.exec(rest);
      if (!a) throw new Error(`bad attribute in <${element.name}>: ${rest.slice(0, 40)}`);
      if (a[1]! in element.attributes) throw new Error(`duplicate attribute ${a[1]}`);
      element.attributes[a[1]!] = decodeEntities(a[2]!, `attribute ${a[1]}`);
      rest = rest.slice(a[0].length);
    }
    if (stack.length) stack.at(-1)!.children.push(element);
    else if (root) throw new Error('second root element');
    else root = element;
    if (!selfClosing) stack.push(element);
  }
  if (stack.length) throw new Error(`unclosed <${stack.at(-1)!.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

/**
 * Checks the JUnit shape CI tools read (testsuites > testsuite > testcase, with failure /
 * skipped / system-out inside a case) and that the counts add up. Returns the test cases.
 */
export function checkJUnit(xml: string): XmlElement[] {
  const root = parseXml(xml);
  if (root.name !== 'testsuites') throw new Error(`root is <${root.name}>`);
  const cases: XmlElement[] = [];
  let failures = 0;
  let skipped = 0;
  for (const suite of root.children) {
    if (suite.name !== 'testsuite') throw new Error(`<${suite.name}> inside <testsuites>`);
    for (const attr of ['name', 'tests', 'failures', 'errors', 'skipped', 'time'])
      if (!(attr in suite.attributes)) throw new Error(`testsuite without ${attr}`);
    if (Number(suite.attributes.tests) !== suite.children.length)
      throw new Error(`suite ${suite.attributes.name} says tests=${suite.attributes.tests}`);
    for (const c of suite.children) {
      if (c.name !== 'testcase') throw new Error(`<${c.name}> inside <testsuite>`);
      if (!c.attributes.name || !c.attributes.classname) throw new Error('testcase without name/classname');
      if (Number.isNaN(Number(c.attributes.time))) throw new Error('testcase time is not a number');
      for (const inner of c.children) {
        if (!['failure', 'skipped', 'system-out'].includes(inner.name))
          throw new Error(`<${inner.name}> inside <testcase>`);
        if (inner.name === 'failure') failures++;
        if (inner.name === 'skipped') skipped++;
      }
      cases.push(c);
    }
  }
  if (Number(root.attributes.tests) !== cases.length) throw new Error('testsuites tests count is wrong');
  if (Number(root.attributes.failures) !== failures) throw new Error('testsuites failures count is wrong');
  if (Number(root.attributes.skipped) !== skipped) throw new Error('testsuites skipped count is wrong');
  return cases;
}
