import { loadConfig, runService } from '@lienthong/platform'
import { buildApp } from './app.ts'
import { RoutingConfig } from './config.ts'

const config = loadConfig(RoutingConfig)
await runService(() => buildApp(config), { host: config.HOST, port: config.PORT })
