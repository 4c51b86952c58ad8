import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Topics } from '@tern/contracts';
import { ConsumerRegistry, EventPublisher, MessagingModule } from '../index';
import { eventually, testKafkaSettings } from '../testing';

const received: string[] = [];

@Injectable()
class CancelListener implements OnApplicationBootstrap {
  constructor(@Inject(ConsumerRegistry) private readonly consumers: ConsumerRegistry) {}
  async onApplicationBootstrap(): Promise<void> {
    const consumer = this.consumers.create({ groupId: `nest-${randomUUID()}` });
    consumer.on(Topics.jobCancelRequested, async (event) => void received.push(event.payload.jobId));
    await consumer.start();
  }
}

describe('MessagingModule in a Nest application', () => {
  it('provisions topics, publishes and consumes, and shuts down cleanly', async () => {
    @Module({ imports: [MessagingModule.forRoot({ kafka: testKafkaSettings(), serviceName: 'nest-test', logLevel: 'error', provisionTopics: true })], providers: [CancelListener] })
    class TestAppModule {}

    const app = await NestFactory.createApplicationContext(TestAppModule, { logger: false });
    await app.init();
    const jobId = randomUUID();
    await app.get(EventPublisher).publish(Topics.jobCancelRequested, { jobId, reason: 'user asked' }, { key: jobId, correlationId: 'c' });
    await eventually(() => received.includes(jobId), 30_000, 'the event through Nest');
    await app.close();
  }, 60_000);
});
