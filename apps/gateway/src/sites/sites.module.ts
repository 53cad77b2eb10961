import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PeopleModule } from '../people/people.module';
import { SiteDirectory } from './site-directory';
import { SitesController } from './sites.controller';

/** Sites that embed the widget, their identity-verification secrets, and signing their visitors in. */
@Module({
  imports: [JwtModule.register({}), PeopleModule],
  controllers: [SitesController],
  providers: [SiteDirectory],
})
export class SitesModule {}
