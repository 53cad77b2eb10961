import { Module } from '@nestjs/common';
import { Passwords } from './passwords';
import { SessionsController } from './sessions.controller';

@Module({ controllers: [SessionsController], providers: [Passwords] })
export class SessionsModule {}
