// dlib's ResNet-34 face descriptor (the encoder of Python face_recognition, which the system we
// replace used), as ported to tfjs weights by face-api. face-api's own runtime would bring a
// second tfjs; the network is small, so we run it here on Human's tfjs with face-api's weights.
// Architecture follows face-api's src/faceRecognitionNet (MIT).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Tensor = any;
type Tf = Record<string, any>;

interface ConvParams {
  filters: Tensor;
  bias: Tensor;
  scaleW: Tensor;
  scaleB: Tensor;
}
interface ResidualParams {
  conv1: ConvParams;
  conv2: ConvParams;
}

const MEAN_RGB = [122.782, 117.001, 104.298];

export class DlibResNet {
  readonly inputSize = 150;
  readonly dims = 128;
  private constructor(
    private readonly tf: Tf,
    private readonly weights: Record<string, Tensor>,
  ) {}

  /** Loads `<name>-weights_manifest.json` and its shards (uint8-quantised) from disk. */
  static load(tf: Tf, manifestPath: string): DlibResNet {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      paths: string[];
      weights: unknown[];
    }[];
    const specs = manifest.flatMap((g) => g.weights);
    const buffers = manifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dirname(manifestPath), p))));
    const all = Buffer.concat(buffers);
    const weights = tf.io.decodeWeights(
      all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      specs,
    ) as Record<string, Tensor>;
    if (!weights.fc)
      throw new Error(`${manifestPath}: no "fc" weights; not a face_recognition_model manifest`);
    return new DlibResNet(tf, weights);
  }

  private conv(prefix: string): ConvParams {
    const w = this.weights;
    const get = (name: string): Tensor => {
      const t = w[`${prefix}/${name}`];
      if (!t) throw new Error(`dlib-resnet: missing weight ${prefix}/${name}`);
      return t;
    };
    return {
      filters: get('conv/filters'),
      bias: get('conv/bias'),
      scaleW: get('scale/weights'),
      scaleB: get('scale/biases'),
    };
  }

  private res(prefix: string): ResidualParams {
    return { conv1: this.conv(`${prefix}/conv1`), conv2: this.conv(`${prefix}/conv2`) };
  }

  private convLayer(
    x: Tensor,
    p: ConvParams,
    stride: number,
    relu: boolean,
    padding: 'same' | 'valid',
  ): Tensor {
    const { tf } = this;
    let out = tf.conv2d(x, p.filters, [stride, stride], padding);
    out = tf.add(tf.mul(tf.add(out, p.bias), p.scaleW), p.scaleB);
    return relu ? tf.relu(out) : out;
  }

  private residual(x: Tensor, p: ResidualParams): Tensor {
    const out = this.convLayer(this.convLayer(x, p.conv1, 1, true, 'same'), p.conv2, 1, false, 'same');
    return this.tf.relu(this.tf.add(out, x));
  }

  private residualDown(x: Tensor, p: ResidualParams): Tensor {
    const { tf } = this;
    let out = this.convLayer(this.convLayer(x, p.conv1, 2, true, 'valid'), p.conv2, 1, false, 'same');
    let pooled = tf.avgPool(x, 2, 2, 'valid');
    if (pooled.shape[1] !== out.shape[1] || pooled.shape[2] !== out.shape[2]) {
      const padX = [...out.shape];
      padX[1] = 1;
      out = tf.concat([out, tf.zeros(padX)], 1);
      const padY = [...out.shape];
      padY[2] = 1;
      out = tf.concat([out, tf.zeros(padY)], 2);
    }
    if (pooled.shape[3] !== out.shape[3]) pooled = tf.concat([pooled, tf.zeros(pooled.shape)], 3);
    return tf.relu(tf.add(pooled, out));
  }

  /** [n, 150, 150, 3] RGB in 0..255 → [n, 128] descriptors. Call inside tf.tidy. */
  execute(input: Tensor): Tensor {
    const { tf } = this;
    const mean = tf.tensor1d(MEAN_RGB);
    let out = tf.div(tf.sub(input, mean), 255);
    out = this.convLayer(out, this.conv('conv32_down'), 2, true, 'valid');
    out = tf.maxPool(out, 3, 2, 'valid');
    out = this.residual(out, this.res('conv32_1'));
    out = this.residual(out, this.res('conv32_2'));
    out = this.residual(out, this.res('conv32_3'));
    out = this.residualDown(out, this.res('conv64_down'));
    out = this.residual(out, this.res('conv64_1'));
    out = this.residual(out, this.res('conv64_2'));
    out = this.residual(out, this.res('conv64_3'));
    out = this.residualDown(out, this.res('conv128_down'));
    out = this.residual(out, this.res('conv128_1'));
    out = this.residual(out, this.res('conv128_2'));
    out = this.residualDown(out, this.res('conv256_down'));
    out = this.residual(out, this.res('conv256_1'));
    out = this.residual(out, this.res('conv256_2'));
    out = this.residualDown(out, this.res('conv256_down_out'));
    return tf.matMul(tf.mean(out, [1, 2]), this.weights.fc);
  }

  dispose(): void {
    for (const t of Object.values(this.weights)) this.tf.dispose(t);
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */
