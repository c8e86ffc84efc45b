/** What the panels show of real node outputs, and that one panel failing leaves the rest of the editor standing. */
import { fireEvent, render, screen } from '@testing-library/react';
import { OutputValue } from '../../client/src/panels/OutputValue';
import { PanelBoundary } from '../../client/src/ui/PanelBoundary';
import type { JsonValue } from '../../protocol/values';

const thumb = { $artifact: 'a1', mime: 'image/png', name: 'thumb-1.png', bytes: 10 };

/** DatasetReport's output as the server sends it: `advice` is an object of figures and messages. */
const datasetReport = {
  imageCount: 8,
  minResolution: 512,
  grid: { $artifact: 'g1', mime: 'image/png', name: 'grid.png', bytes: 10 },
  rows: [{ id: 'cat-1', width: 512, height: 512, problems: [], thumbnail: thumb }],
  advice: {
    loraType: 'style',
    imageCount: 8,
    minimum: 10,
    recommended: [20, 40],
    countVerdict: 'too-few',
    countMessage: 'Only 8 images: a style LoRA needs at least 10.',
    steps: 800,
    stepsRange: [500, 1500],
    stepsMessage: 'About 100 steps per image.',
    rank: 16,
    rankRange: [8, 32],
    rankMessage: 'Rank 16 suits a style.',
    learningRate: 0.0001,
  },
  failing: [{ id: 'cat-3', reasons: ['blurry (sharpness 12 < 50)'] }],
  warnings: [{ file: 'bad.png', code: 'decode', message: 'bad.png: not an image' }],
  summary: ['Only 8 images: a style LoRA needs at least 10.'],
};

describe('a dataset report', () => {
  it('shows its table, its advice as sentences only (no raw keys), the failing images and the warnings', () => {
    render(<OutputValue value={datasetReport as unknown as JsonValue} />);
    const advice = screen.getByTestId('report-advice').textContent ?? '';
    expect(advice).toContain('a style LoRA needs at least 10');
    expect(advice).toContain('Rank 16 suits a style.');
    expect(advice).not.toMatch(/countVerdict|rank: 16|stepsRange/);
    expect(screen.getByTestId('report-failing').textContent).toContain('cat-3: blurry');
    expect(screen.getByTestId('report-warnings').textContent).toContain('bad.png: not an image');
    expect(screen.getByText('cat-1')).toBeTruthy();
  });
});

describe('a dataset value', () => {
  it('lists every skipped file with its reason first, however long the dataset is', () => {
    const items = Array.from({ length: 300 }, (_, i) => ({ id: `img-${i}`, caption: 'a long caption '.repeat(4) }));
    const warnings = ['a.png: truncated file', 'b.webp: unsupported format'].map((message) => ({ message }));
    render(<OutputValue value={{ items, warnings } as unknown as JsonValue} />);
    const shown = screen.getByTestId('output-warnings').textContent ?? '';
    expect(shown).toContain('a.png: truncated file');
    expect(shown).toContain('b.webp: unsupported format');
  });
});

describe('a save node output', () => {
  it('is a download link to the file it wrote', () => {
    render(<OutputValue value={{ path: '/data/loras/style.safetensors', bytes: 4096 }} />);
    const link = screen.getByTestId('output-file') as HTMLAnchorElement;
    expect(link.getAttribute('href')).toBe('/api/download?path=%2Fdata%2Floras%2Fstyle.safetensors');
    expect(link.textContent).toContain('style.safetensors');
  });
});

describe('an error boundary per panel', () => {
  const Broken = (): never => {
    throw new Error('advice.map is not a function');
  };
  it('shows what failed inside the panel and keeps the rest of the page', () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    render(
      <div>
        <PanelBoundary name="Outputs">
          <Broken />
        </PanelBoundary>
        <p>the canvas is still here</p>
      </div>,
    );
    spy.mockRestore();
    expect(screen.getByTestId('panel-error-Outputs').textContent).toContain('advice.map is not a function');
    expect(screen.getByText('the canvas is still here')).toBeTruthy();
  });
  it('tries again when what it shows changes', () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const Maybe = ({ fail }: { fail: boolean }) => (fail ? <Broken /> : <span>fine now</span>);
    const { rerender } = render(
      <PanelBoundary name="Outputs" resetKey="a">
        <Maybe fail />
      </PanelBoundary>,
    );
    rerender(
      <PanelBoundary name="Outputs" resetKey="b">
        <Maybe fail={false} />
      </PanelBoundary>,
    );
    spy.mockRestore();
    expect(screen.getByText('fine now')).toBeTruthy();
    fireEvent.click(screen.getByText('fine now'));
  });
});
