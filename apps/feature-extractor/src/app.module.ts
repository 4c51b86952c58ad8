import { Module, type DynamicModule } from '@nestjs/common';
import { createPrismaClient } from '@tern/db';
import { MessagingModule } from '@tern/messaging';
import type { ExtractorConfig } from './config';
import { CONFIG, ExtractionConsumer, PRISMA } from './extraction.consumer';

@Module({})
export class AppModule {
  static forRoot(config: ExtractorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [MessagingModule.forRoot({ kafka: config.kafka, serviceName: 'feature-extractor', logLevel: config.logLevel })],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: PRISMA, useFactory: () => createPrismaClient({ url: config.database.url }) },
        ExtractionConsumer,
      ],
    };
  }
}
