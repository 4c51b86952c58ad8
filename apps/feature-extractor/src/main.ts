// feature-extractor: computes the embeddings a dataset lacks, on tern.extraction.requested.v1.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@tern/config';
import { AppModule } from './app.module';
import { loadExtractorConfig } from './config';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(() => loadExtractorConfig(process.env), 'feature-extractor');
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  // SIGTERM: finish the current batch's message, commit, leave the group.
  app.enableShutdownHooks();
}

bootstrap().catch((error: Error) => {
  process.stderr.write(`[feature-extractor] failed to start: ${error.stack}\n`);
  process.exit(1);
});
