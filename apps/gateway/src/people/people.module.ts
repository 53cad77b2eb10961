import { Module } from '@nestjs/common';
import { CustomerRegistration } from './customer-registration';
import { PeopleController } from './people.controller';

@Module({
  controllers: [PeopleController],
  providers: [CustomerRegistration],
  exports: [CustomerRegistration],
})
export class PeopleModule {}
