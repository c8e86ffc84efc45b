// bundle:gpu — one self-contained archive (at most 64 MiB) that runs loraflow's benchmarks and training on an
// offline Linux x64 GPU server with no Node.js and no network: the Node binary, the project's TypeScript sources run
// through tsx, the production npm packages pruned to linux-x64 (onnxruntime-node carries the WebGPU provider),
// Debian's Vulkan loader (GPU servers often have the NVIDIA driver and its ICD but not libvulkan1), and run scripts.
// Usage: npm run bundle:gpu [-- --out dist/loraflow-gpu.tar.xz]
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const LIMIT_BYTES = 64 * 2 ** 20;
const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outFile = path.resolve(root, outIndex >= 0 ? (args[outIndex + 1] ?? '') : 'dist/loraflow-gpu.tar.xz');

/** Project folders the CLI, the nodes and the benchmarks need at run time (tests and the editor's sources are not). */
const SOURCES = ['bin', 'server', 'nodes', 'ml', 'protocol', 'bench', 'scripts', 'workflows', 'client/dist'];
const FILES = ['package.json', 'tsconfig.json', 'tsconfig.base.json', 'README.md'];

/**
 * Packages whose published folders hold far more than linux-x64 needs: what to keep of each. onnxruntime-node ships
 * Windows and macOS builds (300 MB); better-sqlite3 ships the SQLite sources it compiled from.
 */
const PRUNE: Record<string, (rel: string) => boolean> = {
  'onnxruntime-node': (rel) =>
    !rel.startsWith('bin/') || rel === 'bin' || /^bin\/napi-v\d+(\/linux(\/x64.*)?)?$/.test(rel),
  'better-sqlite3': (rel) =>
    !/^(deps|src)(\/|$)/.test(rel) && !/^build\/(Release\/(obj|\.deps|test_extension)|deps)/.test(rel),
};
/** Packages only the editor's build or tests use, never the CLI. */
const SKIP = new Set(['react', 'react-dom', '@xyflow/react', '@xyflow/system', 'scheduler']);
/** Emoji sets are for building the built-in model's corpus and the example datasets, not for training on a GPU. */
const SKIP_SCOPES = ['@iconify-json/'];

function productionPackages(): string[] {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => path.relative(root, line.trim()))
    .filter((rel) => rel.startsWith('node_modules' + path.sep));
}

function packageName(rel: string): string {
  const parts = rel.split(path.sep);
  const i = parts.lastIndexOf('node_modules');
  const first = parts[i + 1] ?? '';
  return first.startsWith('@') ? `${first}/${parts[i + 2] ?? ''}` : first;
}

function copyPackage(rel: string, dest: string): void {
  const name = packageName(rel);
  if (SKIP.has(name) || SKIP_SCOPES.some((scope) => name.startsWith(scope))) return;
  const keep = PRUNE[name];
  const from = path.join(root, rel);
  cpSync(from, path.join(dest, rel), {
    recursive: true,
    dereference: true,
    filter: (src) => {
      const inner = path.relative(from, src).split(path.sep).join('/');
      // Nested node_modules are copied as packages of their own (npm ls lists them), so skip them here.
      if (inner.split('/').includes('node_modules')) return false;
      return inner === '' || !keep || keep(inner);
    },
  });
}

/** Debian's libvulkan.so.1, unpacked from the package archive (apt-get download works without installing it). */
function vulkanLoader(dest: string): string | undefined {
  const work = mkdtempSync(path.join(tmpdir(), 'loraflow-vulkan-'));
  try {
    execFileSync('apt-get', ['download', 'libvulkan1'], { cwd: work, stdio: 'ignore' });
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) return undefined;
    execFileSync('dpkg-deb', ['-x', deb, 'x'], { cwd: work });
    const lib = execFileSync('find', ['x', '-name', 'libvulkan.so.1*', '-type', 'f'], { cwd: work, encoding: 'utf8' })
      .split('\n')
      .find(Boolean);
    if (!lib) return undefined;
    mkdirSync(path.join(dest, 'lib'), { recursive: true });
    cpSync(path.join(work, lib), path.join(dest, 'lib', 'libvulkan.so.1'));
    return deb;
  } catch {
    return undefined;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const RUN_SH = `#!/bin/sh
# Runs loraflow from this folder with the bundled Node; extra arguments go to the loraflow command.
HERE="$(cd "$(dirname "$0")" && pwd)"
export LD_LIBRARY_PATH="$HERE/lib\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# The NVIDIA driver installs its Vulkan ICD here on many GPU servers; Dawn (WebGPU) finds it through the loader.
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -z "$VK_ICD_FILENAMES" ] && [ -f "$icd" ]; then export VK_ICD_FILENAMES="$icd"; fi
done
cd "$HERE"
`;

function writeScripts(dest: string, vulkan: string | undefined): void {
  const script = (name: string, body: string) => {
    writeFileSync(path.join(dest, name), RUN_SH + body + '\n');
    chmodSync(path.join(dest, name), 0o755);
  };
  script('loraflow', 'exec "$HERE/node" "$HERE/bin/loraflow.js" "$@"');
  script(
    'loraflow-bench',
    'name="$1"; shift; exec "$HERE/node" "$HERE/node_modules/tsx/dist/cli.mjs" "bench/$name.ts" "$@"',
  );
  writeFileSync(
    path.join(dest, 'BUNDLE.md'),
    [
      '# loraflow GPU bundle',
      '',
      'Runs on Linux x64 with no Node.js and no network. Unpack with `tar -xJf loraflow-gpu.tar.xz`, then:',
      '',
      '- `./loraflow/loraflow-bench sd15 --gpu webgpu` (or `train`, `sdxl`): the benchmarks, with PyTorch next to them when',
      '  `python3 -c "import torch"` works there;',
      '- `./loraflow/loraflow run workflow.json --gpu webgpu:0 --allow /data` and `./loraflow/loraflow serve ...`.',
      '',
      'It holds: `node` (the Node.js binary this was built with), the TypeScript sources of bin/, server/, nodes/,',
      'ml/ (with the built-in model), protocol/, bench/, scripts/, workflows/ and the built editor, the production',
      'npm packages for linux-x64 (onnxruntime-node with its CPU and WebGPU providers, sharp with libvips,',
      `better-sqlite3, tsx), and ${vulkan ? `lib/libvulkan.so.1 from Debian's ${vulkan}` : 'no Vulkan loader (install libvulkan1)'}.`,
      'WebGPU needs the NVIDIA driver with its Vulkan ICD; the scripts set VK_ICD_FILENAMES when they find it.',
      'The CUDA provider is not inside: it is a separate 230 MB download (see the README).',
      '',
    ].join('\n'),
  );
}

function main(): void {
  const stage = mkdtempSync(path.join(tmpdir(), 'loraflow-bundle-'));
  const dest = path.join(stage, 'loraflow');
  try {
    mkdirSync(dest);
    for (const dir of SOURCES) {
      if (existsSync(path.join(root, dir))) cpSync(path.join(root, dir), path.join(dest, dir), { recursive: true });
    }
    for (const file of FILES) cpSync(path.join(root, file), path.join(dest, file));
    for (const pkg of productionPackages()) copyPackage(pkg, dest);
    cpSync(process.execPath, path.join(dest, 'node'));
    const vulkan = vulkanLoader(dest);
    writeScripts(dest, vulkan);
    mkdirSync(path.dirname(outFile), { recursive: true });
    const tmp = `${outFile}.tmp-${process.pid}`;
    execFileSync('tar', ['-cJf', tmp, '-C', stage, 'loraflow'], { env: { ...process.env, XZ_OPT: '-6 -T0' } });
    const size = statSync(tmp).size;
    if (size > LIMIT_BYTES) {
      rmSync(tmp);
      throw new Error(`bundle is ${(size / 2 ** 20).toFixed(1)} MiB, over the 64 MiB limit`);
    }
    execFileSync('mv', [tmp, outFile]);
    process.stdout.write(
      `${path.relative(root, outFile)}: ${(size / 2 ** 20).toFixed(1)} MiB (limit 64 MiB); ` +
        `Vulkan loader: ${vulkan ?? 'not bundled (apt-get download libvulkan1 failed)'}\n`,
    );
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

main();
