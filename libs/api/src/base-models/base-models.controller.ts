import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BadRequestException, ConflictException, Controller, Get, Inject, Param, Post, Req, Res, UnprocessableEntityException } from '@nestjs/common';
import { baseModelIdSchema, registerBaseModelSchema } from '@tern/contracts';
import type { BaseModel } from '@tern/db';
import { bundledBaseModels, describeCustomModel, type BaseModelDescriptor } from '@tern/ml';
import { ensureBaseModelRow } from '@tern/pipeline';
import { API_CONTEXT, type ApiContext } from '../api-context';
import { RequireScope } from '../auth/auth.guard';
import { found } from '../http/ids';
import { readMultipart } from '../http/multipart';
import { parseInput } from '../http/validation';

const bundledView = (d: BaseModelDescriptor) => ({ id: d.id, version: d.version, displayName: d.displayName, source: 'bundled', format: d.format, inputSize: d.inputSize, preprocessing: d.preprocessing, defaultLayer: d.defaultLayer, fineTunable: d.fineTunable, provenance: d.provenance, usableInPipelines: true, layers: d.layers.map((l) => ({ id: l.id, size: l.size, description: l.description })) });
const customView = (b: BaseModel) => ({ id: b.name, version: b.version, displayName: b.displayName, source: b.source, format: b.format, inputSize: { width: b.inputWidth, height: b.inputHeight }, preprocessing: b.preprocessing, defaultLayer: b.embeddingLayer, fineTunable: b.fineTunable, provenance: `user-registered (${b.source}), weights ${b.weightsHash.slice(0, 16)}…`, usableInPipelines: true, layers: b.extractableLayers });

@Controller('v1/base-models')
export class BaseModelsController {
  constructor(@Inject(API_CONTEXT) private readonly ctx: ApiContext) {}

  @Get()
  async list() {
    const custom = await this.ctx.prisma.baseModel.findMany({ where: { source: { in: ['upload', 'url'] } }, orderBy: { createdAt: 'asc' } });
    return { items: [...bundledBaseModels.map(bundledView), ...custom.map(customView)] };
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    const baseId = parseInput(baseModelIdSchema, id, 'base model id');
    const bundled = bundledBaseModels.find((d) => d.id === baseId);
    if (bundled) return bundledView(bundled);
    return customView(found(await this.ctx.prisma.baseModel.findFirst({ where: { name: baseId, source: { in: ['upload', 'url'] } }, orderBy: { createdAt: 'desc' } }), 'base model', baseId));
  }

  /**
   * Registers a user's TF.js model: JSON `{id, url, ...}` or multipart with `model` (model.json),
   * `weights` (its shard files) and the same fields. The model is loaded to list its layers.
   */
  @Post()
  @RequireScope('admin')
  async register(@Req() req: { headers: Record<string, string>; body?: unknown }, @Res({ passthrough: true }) res: unknown) {
    const multipart = String(req.headers['content-type'] ?? '').startsWith('multipart/form-data');
    const parts = multipart ? await readMultipart(req, res, { fileFields: { model: 1, weights: 64 }, maxFileBytes: this.ctx.config.uploads.maxArchiveBytes, maxFiles: 65 }) : undefined;
    const input = parseInput(registerBaseModelSchema, parts ? parts.fields : req.body, 'base model');
    if (bundledBaseModels.some((d) => d.id === input.id)) throw new ConflictException(`${input.id} is a bundled base model; choose another id`);
    let dir: string | undefined;
    let source: { kind: 'path'; modelJsonPath: string } | { kind: 'url'; modelJsonUrl: string };
    if (parts) {
      const modelJson = parts.files['model']?.[0];
      if (!modelJson) throw new BadRequestException('multipart registration needs the model.json in the "model" field');
      dir = path.resolve(this.ctx.config.artifacts.dir, 'base-models', `${input.id}-${Date.now()}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'model.json'), modelJson.buffer);
      for (const w of parts.files['weights'] ?? []) {
        if (!/^[\w.-]+$/.test(w.originalname)) throw new BadRequestException(`weight file name "${w.originalname}" is not a plain file name`);
        writeFileSync(path.join(dir, w.originalname), w.buffer);
      }
      source = { kind: 'path', modelJsonPath: path.join(dir, 'model.json') };
    } else if (input.url) source = { kind: 'url', modelJsonUrl: input.url };
    else throw new BadRequestException('give the model: a "url" to its model.json, or upload it as multipart ("model" and "weights" fields)');
    let descriptor: BaseModelDescriptor;
    try {
      descriptor = await describeCustomModel(source, {
        id: input.id,
        ...(input.displayName ? { displayName: input.displayName } : {}),
        preprocessing: { colorSpace: 'rgb', scale: input.scale },
        ...(input.layer ? { layer: input.layer } : {}),
        ...(input.embeddingSize ? { embeddingSize: input.embeddingSize } : {}),
        ...(input.inputWidth && input.inputHeight ? { inputSize: { width: input.inputWidth, height: input.inputHeight } } : {}),
      });
    } catch (error) {
      if (dir) rmSync(dir, { recursive: true, force: true });
      throw new UnprocessableEntityException(`the model could not be used: ${(error as Error).message}`);
    }
    if (await this.ctx.prisma.baseModel.findUnique({ where: { name_version: { name: descriptor.id, version: descriptor.version } } })) {
      if (dir) rmSync(dir, { recursive: true, force: true });
      throw new ConflictException(`${descriptor.id} ${descriptor.version} (same weights) is already registered`);
    }
    const artifactUri = source.kind === 'path' ? pathToFileURL(source.modelJsonPath).toString() : source.modelJsonUrl;
    return customView(await ensureBaseModelRow(this.ctx.prisma, descriptor, descriptor.version.replace(/^sha256-/, ''), { source: parts ? 'upload' : 'url', artifactUri }));
  }
}
