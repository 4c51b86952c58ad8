import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import * as protoLoader from '@grpc/proto-loader';
import { grpcMessageFields } from '@tern/contracts';
import { ternProtoPath } from '@tern/contracts/proto';
import { apiControllers } from '../api-app';
import { openApiDocument, operations } from './operations';

function controllerRoutes(): string[] {
  const routes: string[] = [];
  for (const controller of apiControllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    for (const name of Object.getOwnPropertyNames(controller.prototype).filter((n) => n !== 'constructor')) {
      const handler = (controller.prototype as unknown as Record<string, object>)[name];
      const sub = typeof handler === 'function' ? Reflect.getMetadata(PATH_METADATA, handler) : undefined;
      if (sub === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler!) as number]!.toLowerCase();
      const full = `/${[base, sub].filter((p) => p && p !== '/').join('/')}`.replace(/:(\w+)/g, '{$1}');
      routes.push(`${method} ${full}`);
    }
  }
  return routes.sort();
}

describe('API contract documents', () => {
  it('documents every REST route in OpenAPI, and documents no route that does not exist', () => {
    const documented = operations.filter((o) => !o.path.startsWith('/docs')).map((o) => `${o.method} ${o.path}`).sort();
    const served = controllerRoutes().filter((r) => !r.includes(' /docs'));
    expect(documented).toEqual(served);
    const doc = openApiDocument('1');
    expect(doc.paths['/v1/jobs']!['post']).toMatchObject({ requestBody: { content: { 'application/json': { schema: { oneOf: expect.any(Array) } } } } });
  });

  it('keeps the gRPC TypeScript field lists in step with tern.proto', () => {
    const definition = protoLoader.loadSync(ternProtoPath, { keepCase: false });
    for (const [message, fields] of Object.entries(grpcMessageFields)) {
      const type = definition[`tern.v1.${message}`] as { type: { field: { name: string }[] } } | undefined;
      expect(type).toBeDefined();
      const protoFields = type!.type.field.map((f) => f.name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()));
      expect([message, protoFields.sort()]).toEqual([message, [...fields].sort()]);
    }
  });
});
