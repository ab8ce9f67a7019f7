import { loadConfig, runService } from '@lienthong/platform'
import { buildApp } from './app.ts'
import { InboxConfig } from './config.ts'

const config = loadConfig(InboxConfig)
await runService(() => buildApp(config), { host: config.HOST, port: config.PORT })
