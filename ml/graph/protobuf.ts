/** A minimal protobuf writer: enough of the wire format for ONNX models, with no copies of large byte payloads. */

/** One message under construction; large payloads are kept as references until `finish`. */
export class PbMessage {
  private readonly parts: Uint8Array[] = [];
  private pending: number[] = [];
  private size = 0;

  get length(): number {
    return this.size + this.pending.length;
  }

  private varint(v: number | bigint): void {
    if (typeof v === 'number' && v >= 0 && v < 2 ** 31) {
      let x = v;
      while (x > 127) {
        this.pending.push((x & 127) | 128);
        x >>>= 7;
      }
      this.pending.push(x);
      return;
    }
    let x = BigInt.asUintN(64, BigInt(v));
    while (x > 127n) {
      this.pending.push(Number(x & 127n) | 128);
      x >>= 7n;
    }
    this.pending.push(Number(x));
  }
  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }
  private flush(): void {
    if (this.pending.length) {
      this.parts.push(Uint8Array.from(this.pending));
      this.size += this.pending.length;
      this.pending = [];
    }
  }

  /** Varint field (int32/int64/enum). */
  int(field: number, v: number | bigint): this {
    this.tag(field, 0);
    this.varint(v);
    return this;
  }
  /** 32-bit float field. */
  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.pending.push(...b);
    return this;
  }
  /** Length-delimited bytes (kept by reference). */
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2);
    this.varint(data.length);
    this.flush();
    this.parts.push(data);
    this.size += data.length;
    return this;
  }
  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  /** Embedded message. */
  message(field: number, m: PbMessage): this {
    m.flush();
    this.tag(field, 2);
    this.varint(m.size);
    this.flush();
    for (const p of m.parts) this.parts.push(p);
    this.size += m.size;
    return this;
  }
  /** Packed repeated varints. */
  packedInts(field: number, vs: readonly number[]): this {
    const m = new PbMessage();
    for (const v of vs) m.varint(v);
    return this.message(field, m);
  }
  /** Packed repeated floats. */
  packedFloats(field: number, vs: readonly number[]): this {
    return this.bytes(field, new Uint8Array(Float32Array.from(vs).buffer));
  }

  /** Concatenates everything into one buffer. */
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.size);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}
