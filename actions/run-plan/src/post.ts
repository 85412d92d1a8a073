import { post } from './restore';

await post();
