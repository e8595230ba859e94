// Demo step: a living neighbourhood feed (issue 12 §7). A few dozen posts by
// neighbours across every category over the last few days, comments on some,
// one alert from the demo police with its verified profile, one post with a
// clip of its author's (a public disclosure, on the log), and one post a
// reviewer removed after a report, which stays as a tombstone. Everything goes
// through the feed's services; only the posting times are set back afterwards,
// since the services post "now". Demo only.
import type { UserActor } from '../platform/access.ts';
import { DEMO_CENTRE, prng } from './neighbourhood.ts';
import type { DemoStep } from './state.ts';

const POSTS: [string, string, string][] = [
  ['crime', 'Car window smashed on Elm St', 'Woke up to glass all over the curb. Nothing taken but the stereo. Anyone else on the 1200 block?'],
  ['crime', 'Package taken from our porch', 'Around 2 pm a person in a grey hoodie walked off with a box. Check your doorbells if you are near Ginkgo and 7th.'],
  ['crime', 'Bike stolen from the rack at the library', 'Blue commuter bike with a child seat. The lock was cut.'],
  ['safety', 'Streetlight out at Fir and 5th', 'Reported it to the city. Take care crossing there after dark.'],
  ['safety', 'Loose manhole cover on Birch St', 'It rocks when cars go over it. Cones are up for now.'],
  ['safety', 'Ice on the footbridge this morning', 'Slipped twice on the way to the bus. Salt would help.'],
  ['suspicious_activity', 'Someone trying car doors last night', 'Two people walking down Cedar St pulling on handles around midnight. Lock your cars.'],
  ['suspicious_activity', 'Van circling the block slowly', 'White van, no markings, went round four times around 10 am. Probably nothing, but worth knowing.'],
  ['suspicious_activity', 'Flashlight in the alley behind Hazel St', 'Saw a light moving between the garages at 3 am.'],
  ['lost_found_pet', 'Lost cat: grey tabby named Mochi', 'Indoor cat, slipped out Tuesday. Shy, answers to treats. Please check garages.'],
  ['lost_found_pet', 'Found: small brown dog near the park', 'Friendly, no tag, blue collar. Safe with us for now.'],
  ['lost_found_pet', 'Parrot spotted in the oak on Maple St', 'Green with a red head. Someone must be missing him.'],
  ['lost_found_pet', 'Lost: black lab, answers to Juno', 'Ran off during the fireworks. Microchipped. Reward.'],
  ['unexpected_activity', 'Helicopter over the neighbourhood', 'Circled for about twenty minutes around 11 pm. Does anyone know why?'],
  ['unexpected_activity', 'Water main work on Larch St', 'Crews are digging up half the street; water may be off tomorrow morning.'],
  ['unexpected_activity', 'Loud bang near the rail line', 'Sounded like a transformer. Power flickered for a few seconds.'],
  ['community', 'Street sweeping moved to Thursday', 'The city changed the schedule for our side of the river this month.'],
  ['community', 'Free seedlings on our porch', 'Tomatoes and basil, help yourself. 14 Alder St.'],
  ['community', 'Block party planning', 'Thinking of the last Saturday in June. Who is in? Bring a dish.'],
  ['community', 'Thank you to whoever shovelled our walk', 'Came home to a clear path. Very kind.'],
  ['community', 'Little free library restocked', 'Lots of children\'s books this week, by the bus stop on Pine St.'],
  ['community', 'Found keys on 3rd Ave', 'Car key and two house keys on a red lanyard. Message me to describe them.'],
  ['crime', 'Catalytic converter stolen overnight', 'Our neighbour\'s car on Oak St. The police say it is the third this month.'],
  ['safety', 'Coyote seen at dusk', 'Near the school field. Keep small pets in.'],
  ['suspicious_activity', 'Door-to-door "inspectors" without ID', 'Two men claiming to check gas meters. The utility says it sent no one.'],
  ['unexpected_activity', 'Film crew on Quince St', 'Parking signs are up for Friday and Saturday.'],
  ['lost_found_pet', 'Found: orange cat with a bell', 'Sitting on our steps on Rowan St since yesterday.'],
  ['community', 'Lost glove collection at the corner store', 'They have a box of single gloves by the door.'],
];

const COMMENTS = ['Thanks for the heads-up.', 'Same thing happened on our block.', 'I will check my camera tonight.', 'Hope it turns out fine!', 'Reported it to the city too.', 'Saw this as well around the same time.'];

const user = (userId: string, role: UserActor['role'], agencyId: string | null = null): UserActor =>
  ({ kind: 'user', userId, role, agencyId, totpEnabled: role !== 'resident', sessionId: 'demo-seed', via: 'bearer' });

const HOUR = 3_600_000;

export const feedDemoStep: DemoStep = {
  name: 'neighbourhood feed',
  async run(built, state, progress) {
    const { feed, feedTalk, feedModeration } = built.services;
    const db = built.ctx.db.kysely;
    const rnd = prng(1212);
    const near = [...state.homes].sort((a, b) => (a.lat - DEMO_CENTRE.lat) ** 2 + (a.lon - DEMO_CENTRE.lon) ** 2 - ((b.lat - DEMO_CENTRE.lat) ** 2 + (b.lon - DEMO_CENTRE.lon) ** 2));
    const now = built.ctx.clock.now();
    const total = POSTS.length + 3;
    const made: string[] = [];
    for (const [i, [category, title, body]] of POSTS.entries()) {
      // resident1 (the printed demo sign-in) reads others' posts, so authors start after the first home.
      const author = near[1 + Math.floor(rnd() * Math.min(near.length - 1, 120))];
      const p = await feed.create(user(author.userId, 'resident'), { title, body, category });
      // Spread over the last four days, newest last in this list.
      await db.updateTable('feed_posts').set({ created_at: now - (POSTS.length - i) * 3 * HOUR - Math.floor(rnd() * HOUR) }).where('id', '=', p.id).execute();
      made.push(p.id);
      if (i % 3 === 0) {
        for (let k = 0; k < 1 + (i % 4); k++) {
          const who = near[1 + Math.floor(rnd() * Math.min(near.length - 1, 120))];
          await feedTalk.comment(user(who.userId, 'resident'), p.id, COMMENTS[(i + k) % COMMENTS.length]).catch(() => undefined);
        }
      }
      progress(i + 1, total);
    }
    // An alert from the demo police, inside its jurisdiction.
    const agencyId = state.extra.agencyId as string | undefined;
    if (agencyId) {
      await feed.alert(user(state.userIds.officer, 'agency', agencyId), agencyId, {
        title: 'Road closure: gas leak on Dogwood St', body: 'Dogwood St is closed between 3rd and 6th Ave while crews repair a gas line. Expect it to reopen by 6 pm.',
        category: 'safety', location: { lat: DEMO_CENTRE.lat + 0.001, lon: DEMO_CENTRE.lon - 0.001 },
      });
    }
    progress(POSTS.length + 1, total);
    // A neighbour shares doorbell footage with a post (a public disclosure on the log), if one has footage.
    const withClip = await db.selectFrom('clips').select(['id', 'owner_id']).where('deleted_at', 'is', null).where('e2ee', '=', 0).orderBy('started_at', 'desc').limit(1).executeTakeFirst();
    if (withClip) {
      await feed.create(user(withClip.owner_id, 'resident'), {
        title: 'Caught on my doorbell the other night', body: 'Someone walked up the path around 9 pm, looked around and left. The clip is attached; faces near the door are blacked out by my privacy zones.',
        category: 'suspicious_activity', clipIds: [withClip.id],
        // Without ffmpeg a camera with privacy zones cannot be shared; the demo then simply has no clip post.
      }).catch(() => undefined);
    }
    progress(POSTS.length + 2, total);
    // One post removed by a reviewer after a report: its tombstone stays in the feed.
    const rant = await feed.create(user(near[5].userId, 'resident'), { title: 'The people at number 12 are criminals', body: 'Everyone knows what they are up to. Their names are on the mailbox.', category: 'crime' });
    await feedTalk.report(user(near[6].userId, 'resident'), rant.id, { reason: 'harassment', note: 'Accuses named neighbours.' });
    await feedModeration.decide(user(state.userIds.reviewer, 'reviewer'), 'post', rant.id, { decision: 'remove', reason: 'harassment' });
    progress(total, total);
    state.extra.feedPosts = made;
  },
};
