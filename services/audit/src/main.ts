import { loadConfig, runService } from '@lienthong/platform'
import { buildApp } from './app.ts'
import { AuditConfig } from './config.ts'

const config = loadConfig(AuditConfig)
await runService(() => buildApp(config), { host: config.HOST, port: config.PORT })
