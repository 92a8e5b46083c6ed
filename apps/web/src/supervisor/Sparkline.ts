const SVG = 'http://www.w3.org/2000/svg';

/**
 * A small hand-written SVG line chart of the last `capacity` values (no chart library: the
 * dashboard stays light). The chart is decorative for screen readers; `label` names it and
 * the latest value is in the table cell next to it.
 */
export class Sparkline {
  readonly element: SVGSVGElement;
  readonly #line: SVGPolylineElement;
  readonly #values: number[] = [];
  readonly #capacity: number;
  readonly #width: number;
  readonly #height: number;
  readonly #fixedMax: number | undefined;

  constructor(
    label: string,
    options: { capacity?: number; width?: number; height?: number; max?: number } = {},
  ) {
    this.#capacity = options.capacity ?? 60;
    this.#width = options.width ?? 120;
    this.#height = options.height ?? 28;
    this.#fixedMax = options.max;
    this.element = document.createElementNS(SVG, 'svg');
    this.element.setAttribute('class', 'spark');
    this.element.setAttribute('width', String(this.#width));
    this.element.setAttribute('height', String(this.#height));
    this.element.setAttribute('role', 'img');
    this.element.setAttribute('aria-label', label);
    this.#line = document.createElementNS(SVG, 'polyline');
    this.element.append(this.#line);
  }

  get values(): readonly number[] {
    return this.#values;
  }

  push(value: number): void {
    this.#values.push(value);
    if (this.#values.length > this.#capacity) this.#values.shift();
    const max = this.#fixedMax ?? Math.max(1, ...this.#values);
    const step = this.#width / Math.max(1, this.#capacity - 1);
    const points = this.#values.map((v, i) => {
      const x = i * step;
      const y = this.#height - 2 - (Math.min(v, max) / max) * (this.#height - 4);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    });
    this.#line.setAttribute('points', points.join(' '));
  }
}
