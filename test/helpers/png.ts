// A PNG decoded to pixels, for checking what a browser drew (8-bit RGB or RGBA, not interlaced: what
// Chromium's --screenshot writes). No dependency: zlib and the five scanline filters.
import {inflateSync} from 'node:zlib';

export type Pixels = {width: number; height: number; at(x: number, y: number): [number, number, number]};

export function decodePng(png: Buffer): Pixels {
	if (png.readUInt32BE(0) !== 0x89_50_4E_47) {
		throw new Error('not a PNG');
	}

	let width = 0;
	let height = 0;
	let channels = 0;
	const data: Buffer[] = [];
	for (let offset = 8; offset < png.length;) {
		const length = png.readUInt32BE(offset);
		const type = png.toString('latin1', offset + 4, offset + 8);
		const body = png.subarray(offset + 8, offset + 8 + length);
		if (type === 'IHDR') {
			width = body.readUInt32BE(0);
			height = body.readUInt32BE(4);
			const [depth, colorType, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
			if (depth !== 8 || interlace !== 0 || (colorType !== 2 && colorType !== 6)) {
				throw new Error(`unsupported PNG: depth ${depth}, color type ${colorType}, interlace ${interlace}`);
			}

			channels = colorType === 6 ? 4 : 3;
		} else if (type === 'IDAT') {
			data.push(body);
		}

		offset += 12 + length;
	}

	const raw = inflateSync(Buffer.concat(data));
	const stride = width * channels;
	const pixels = Buffer.alloc(stride * height);
	for (let y = 0; y < height; y++) {
		const filter = raw[y * (stride + 1)]!;
		for (let x = 0; x < stride; x++) {
			const value = raw[(y * (stride + 1)) + 1 + x]!;
			const left = x >= channels ? pixels[(y * stride) + x - channels]! : 0;
			const up = y > 0 ? pixels[((y - 1) * stride) + x]! : 0;
			const upLeft = x >= channels && y > 0 ? pixels[((y - 1) * stride) + x - channels]! : 0;
			pixels[(y * stride) + x] = (value + predict(filter, left, up, upLeft)) & 0xFF;
		}
	}

	return {width, height, at: (x, y) => {
		const index = (y * stride) + (x * channels);
		return [pixels[index]!, pixels[index + 1]!, pixels[index + 2]!];
	}};
}

function predict(filter: number, left: number, up: number, upLeft: number): number {
	switch (filter) {
		case 0: {
			return 0;
		}

		case 1: {
			return left;
		}

		case 2: {
			return up;
		}

		case 3: {
			return Math.floor((left + up) / 2);
		}

		case 4: {
			const estimate = left + up - upLeft;
			const [a, b, c] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
			return a <= b && a <= c ? left : (b <= c ? up : upLeft);
		}

		default: {
			throw new Error(`unknown PNG filter ${filter}`);
		}
	}
}
