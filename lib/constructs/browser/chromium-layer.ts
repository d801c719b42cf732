import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code, LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import {
  buildChromiumLayer,
  LAYER_PACKAGES,
  layerFingerprint,
  layerPackages,
} from '../../../layers/chromium/build';
import { PROJECT_ROOT, projectPath } from '../platform/project-paths';
import { ServiceFunction } from '../platform/service-function';

/**
 * @sparticuz/chromium and playwright-core as a Lambda layer, so the submitter's own bundle stays small
 * and quick to deploy while the 80 MB browser changes only when its version does.
 *
 * The asset is built at synth time by copying the installed packages (layers/chromium/build.ts) in
 * CDK's local bundling step: no Docker, no download, and exactly the versions the tests ran.
 */
export class ChromiumLayer extends Construct {
  readonly layer: LayerVersion;
  /** What a function using the layer must leave out of its bundle. */
  readonly externalModules: readonly string[] = LAYER_PACKAGES;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const versions = layerPackages(PROJECT_ROOT)
      .filter((pkg) => (LAYER_PACKAGES as readonly string[]).includes(pkg.name))
      .map((pkg) => `${pkg.name}@${pkg.version}`)
      .join(' ');

    this.layer = new LayerVersion(this, 'Layer', {
      description: `Headless Chromium for the submitter: ${versions}`,
      compatibleRuntimes: [ServiceFunction.RUNTIME],
      compatibleArchitectures: [ServiceFunction.ARCHITECTURE],
      code: Code.fromAsset(projectPath('layers', 'chromium'), {
        // Versions plus the build script identify the content; unchanged layers are not rebuilt.
        assetHashType: AssetHashType.CUSTOM,
        assetHash: layerFingerprint(PROJECT_ROOT),
        bundling: {
          // Required by the API but never used: local bundling below always succeeds or throws.
          image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs24.x'),
          local: {
            tryBundle(outputDir: string): boolean {
              buildChromiumLayer(outputDir, PROJECT_ROOT);
              return true;
            },
          },
        },
      }),
    });
  }
}
