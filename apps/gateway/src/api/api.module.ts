import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AuthGuard, jwtOptions, TokenService } from '../auth/auth';
import { TokenRevocations } from '../auth/token-revocations';
import { TokenVersions } from '../auth/token-versions';
import { GatewayEnv } from '../gateway.env';
import { CommandEndpoint } from './command-endpoint';
import { CommandSender } from './command-sender';
import { PreferWaitCoordinator } from './prefer-wait';

/** What every feature's endpoints share: authentication on every route, and sending commands. */
@Global()
@Module({})
export class ApiModule {
  static register(config: GatewayEnv): DynamicModule {
    return {
      module: ApiModule,
      imports: [JwtModule.register(jwtOptions(config))],
      providers: [
        TokenService,
        TokenVersions,
        TokenRevocations,
        CommandSender,
        PreferWaitCoordinator,
        CommandEndpoint,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [TokenService, TokenVersions, CommandEndpoint, CommandSender],
    };
  }
}
