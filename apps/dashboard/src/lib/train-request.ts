import { headTrainingParamsSchema, fineTuningParamsSchema } from '@tern/contracts';

/** The training form as the user edits it: strings from inputs. */
export interface TrainForm {
  baseModelId: string;
  layer: string;
  hiddenUnits: string;
  dropout: string;
  learningRate: string;
  epochs: string;
  batchSize: string;
  fineTune: boolean;
  unfreezeLayers: string;
  fineTuneLearningRate: string;
  fineTuneEpochs: string;
  promote: boolean;
}

export const headDefaults = headTrainingParamsSchema.parse({});
export const fineTuneDefaults = fineTuningParamsSchema.parse({});

export function defaultTrainForm(baseModelId: string, layer: string): TrainForm {
  return {
    baseModelId,
    layer,
    hiddenUnits: headDefaults.hiddenUnits.join(','),
    dropout: String(headDefaults.dropout),
    learningRate: String(headDefaults.learningRate),
    epochs: String(headDefaults.epochs),
    batchSize: '',
    fineTune: false,
    unfreezeLayers: String(fineTuneDefaults.unfreezeLayers),
    fineTuneLearningRate: String(fineTuneDefaults.learningRate),
    fineTuneEpochs: String(fineTuneDefaults.epochs),
    promote: true,
  };
}

/** The POST /v1/jobs body for a pipeline, or the field-by-field problems to show next to the inputs. */
export function pipelineRequest(datasetId: string, form: TrainForm): { ok: true; body: Record<string, unknown> } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const num = (field: keyof TrainForm, label: string) => {
    const value = Number(form[field]);
    if (String(form[field]).trim() === '' || !Number.isFinite(value)) errors[field] = `${label} must be a number`;
    return value;
  };
  const hidden = form.hiddenUnits.trim() === '' ? [] : form.hiddenUnits.split(',').map((v) => Number(v.trim()));
  if (hidden.some((h) => !Number.isInteger(h) || h < 1)) errors['hiddenUnits'] = 'hidden layers: whole numbers separated by commas, e.g. 128 or 256,64';
  const head = { hiddenUnits: hidden, dropout: num('dropout', 'dropout'), learningRate: num('learningRate', 'learning rate'), epochs: num('epochs', 'epochs'), ...(form.batchSize.trim() === '' ? {} : { batchSize: num('batchSize', 'batch size') }) };
  const headCheck = headTrainingParamsSchema.safeParse(head);
  if (!headCheck.success) for (const issue of headCheck.error.issues) errors[String(issue.path[0])] ??= issue.message;
  let fineTune: Record<string, unknown> | undefined;
  if (form.fineTune) {
    fineTune = { unfreezeLayers: num('unfreezeLayers', 'layers to unfreeze'), learningRate: num('fineTuneLearningRate', 'fine-tuning learning rate'), epochs: num('fineTuneEpochs', 'fine-tuning epochs') };
    const check = fineTuningParamsSchema.safeParse(fineTune);
    if (!check.success) for (const issue of check.error.issues) errors[{ learningRate: 'fineTuneLearningRate', epochs: 'fineTuneEpochs' }[String(issue.path[0])] ?? String(issue.path[0])] ??= issue.message;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, body: { type: 'pipeline', datasetId, baseModelId: form.baseModelId, ...(form.layer ? { layer: form.layer } : {}), head, ...(fineTune ? { fineTune } : {}), promote: form.promote } };
}
