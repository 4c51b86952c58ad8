// api: REST, Server-Sent Events and gRPC for datasets, jobs, models and predictions.
import { runApiApp } from '@tern/api';

runApiApp();
