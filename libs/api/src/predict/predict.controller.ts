import { BadRequestException, Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { predictEmbeddingsSchema, predictFieldsSchema } from '@tern/contracts';
import { API_CONTEXT, type ApiContext } from '../api-context';
import { RequireScope, type AuthedRequest } from '../auth/auth.guard';
import { readMultipart } from '../http/multipart';
import { parseInput } from '../http/validation';
import type { PredictionService } from './prediction-service';

export const PREDICTION = Symbol('PREDICTION');

@Controller('v1/predict')
@RequireScope('read')
export class PredictController {
  constructor(
    @Inject(API_CONTEXT) private readonly ctx: ApiContext,
    @Inject(PREDICTION) private readonly predictions: PredictionService,
  ) {}

  /** multipart/form-data: `images` (one or more), `modelId` or `datasetId` (its production model), `topK`. */
  @Post()
  @HttpCode(200)
  async images(@Req() req: AuthedRequest, @Res({ passthrough: true }) res: unknown) {
    const { files, fields } = await readMultipart(req, res, { fileFields: { images: 64 }, maxFileBytes: this.ctx.config.uploads.maxFileBytes, maxFiles: 64 });
    const input = parseInput(predictFieldsSchema, fields, 'predict fields');
    const images = files['images'] ?? [];
    if (images.length === 0) throw new BadRequestException('no images: send one or more files in the "images" field');
    this.predictions.checkRate(req.principal!.tokenId, images.length);
    const ref = input.modelId ? { modelId: input.modelId } : { datasetId: input.datasetId! };
    return this.predictions.predictImages(ref, images.map((f) => ({ id: f.originalname, bytes: f.buffer })), input.topK);
  }

  /** JSON: embeddings computed with the model's base and layer. */
  @Post('embeddings')
  @HttpCode(200)
  async embeddings(@Req() req: AuthedRequest, @Body() body: unknown) {
    const input = parseInput(predictEmbeddingsSchema, body, 'predict request');
    this.predictions.checkRate(req.principal!.tokenId, input.embeddings.length);
    const ref = input.modelId ? { modelId: input.modelId } : { datasetId: input.datasetId! };
    return this.predictions.predictEmbeddings(ref, input.embeddings, input.topK);
  }
}
