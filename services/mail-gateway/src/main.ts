import { loadConfig, runService } from '@lienthong/platform'
import { buildApp } from './app.ts'
import { MailGatewayConfig } from './config.ts'

const config = loadConfig(MailGatewayConfig)
await runService(() => buildApp(config), { host: config.HOST, port: config.PORT })
