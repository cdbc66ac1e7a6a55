import { provisionSite, startSim } from '../graph/support';
import { contract } from './contract';

let env: Awaited<ReturnType<typeof startSim>>;
beforeAll(async () => {
  env = await startSim();
});
afterAll(() => env.stop());

contract('SharePoint (Graph simulator)', async () => {
  env.reset();
  await provisionSite(env);
  // Small thresholds so the contract's 1.5 MB file goes through an upload session in several chunks.
  return env.stores({ documents: { simpleUploadMaxBytes: 1024 * 1024, chunkBytes: 320 * 1024 } });
});
