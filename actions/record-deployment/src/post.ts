import { post } from './post-step';

await post();
