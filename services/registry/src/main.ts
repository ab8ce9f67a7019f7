import { loadConfig, runService } from '@lienthong/platform'
import { buildApp } from './app.ts'
import { RegistryConfig } from './config.ts'

const config = loadConfig(RegistryConfig)
await runService(() => buildApp(config), { host: config.HOST, port: config.PORT })
